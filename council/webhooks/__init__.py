"""Webhooks for partner systems, signed per the Standard Webhooks specification (issue 15)."""

"""Telling people what to do: e-mail per member preferences, reminders and escalations (issue 15)."""

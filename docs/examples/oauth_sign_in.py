"""Sign in to Council with the authorization code + PKCE flow, as the README's OAuth walk does.

Plays the web client (requests-oauthlib, an independent OAuth library) and,
where a person would use a browser, fills the sign-in and consent forms
(the server skips the consent page when the member allowed the client before).
Prints the granted scopes on stderr and the access token on stdout.

Usage: python3 docs/examples/oauth_sign_in.py AS_URL CLIENT_ID USERNAME PASSWORD
"""

import os
import re
import sys

import requests
from requests_oauthlib import OAuth2Session

os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain http, on loopback only
os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = "1"  # the server may grant less than asked
AS, client_id, username, password = sys.argv[1:5]
web = OAuth2Session(
    client_id, redirect_uri="http://127.0.0.1:8080/callback", scope=["proposals:read", "votes:write"], pkce="S256"
)
url, _ = web.authorization_url(f"{AS}/oauth/authorize")
# the person, in a browser: the sign-in page, then the consent page (skipped once allowed before)
browser = requests.Session()


def field(page, name):
    """The value of the hidden form field ``name`` on ``page``."""
    return re.search(f'name="{name}" value="([^"]*)"', page.text).group(1)


csrf = field(browser.get(url), "csrf_token")
back = browser.post(
    url, data={"csrf_token": csrf, "step": "sign_in", "username": username, "password": password}, allow_redirects=False
)
if back.status_code == 200:
    back = browser.post(
        url,
        data={"csrf_token": csrf, "step": "consent", "ticket": field(back, "ticket"), "decision": "allow"},
        allow_redirects=False,
    )
# back at the web client: exchange the code, with the PKCE verifier
token = web.fetch_token(f"{AS}/oauth/token", authorization_response=back.headers["Location"], include_client_id=True)
print(" ".join(token["scope"]), file=sys.stderr)
print(token["access_token"])

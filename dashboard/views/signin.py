"""Sign in with email and password (accounts come from `tracker users add`)."""

from dashboard.components.auth import sign_in_form

sign_in_form()

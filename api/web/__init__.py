"""The pages: a third door on the same questions, rights and commands as the API and the CLI,
for the people who keep and inspect bonded warehouses (issue 22). Signed in with a password
or a token; a session cookie; every form with the session's CSRF token."""

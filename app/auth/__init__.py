"""Users, organisations, roles, sign-in, API tokens."""

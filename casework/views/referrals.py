"""Referrals: a partner or the family asks for help; a service manager decides."""

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Nobody signs themselves up: families join by invitation, staff are added by managers."""

    def is_open_for_signup(self, request):
        return False

"""divisions: administrative units (dated, with successions), scopes, access and API tokens.

Owns Division, DivisionSuccession, UserScope, ApiToken and the Role/Action access rules.
May import core only.
"""

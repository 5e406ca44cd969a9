"""devtools: demo and seed commands, scale data and the benchmark (not in production images).

Owns no models and no URLs of the portal; commands refuse to run without DJANGO_DEBUG.
May import every app; no app imports it.
"""

"""REST plumbing shared by every app's API: errors, pagination, parameters, renderers, schema."""

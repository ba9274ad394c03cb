"""Who may see what: principals, roles and their field policies, tokens, masking and the audit trail."""

"""The directory as LDAP entries: an LDIF file for `ldapadd`, and `kjcdir ldap sync`.

`entries` turns the model into entries (pure), `ldif` writes them as RFC 2849 text (pure),
`plan` computes what a server needs to become equal to them (pure), and `server` talks to
the server through ldap3, which is imported only there.
"""

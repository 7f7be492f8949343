"""Exports: vCard files and vdirs, CSV, JSON, mutt queries and QR codes (SPEC 4).

Nothing here is imported by `kjcdir find`: the CLI imports these modules inside the
export commands, and they import vobject, segno and csv only when they run.
"""

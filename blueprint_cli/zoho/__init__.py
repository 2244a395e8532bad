"""Zoho CRM interop: a blueprint as Zoho's v8 API shows and takes it, both ways.

`source` reads the JSON (the GET responses, a bundle of them, or our own export
file), `names` is the map of Zoho ids to the names the YAML uses, `criteria`
translates conditions, `importer` turns Zoho JSON into blueprint YAML (listing
what has no equivalent), `exporter` turns a blueprint into the bodies of
Zoho's create endpoints (listing what Zoho lacks), `client` talks to Zoho over
HTTPS (pull and push). Each action kind maps itself (`language/actions/`).
"""

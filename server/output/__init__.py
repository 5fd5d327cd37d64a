"""Output formats of `reviewlens check`: text, json, sarif, github."""

FORMATS = ("text", "json", "sarif", "github")

"""The open API (`/api/v1/`): one more web space over the same action functions as the
screens (docs/api.md, docs/decisions/0019-api-framework.md)."""

"""What lets an organisation's information system work with the portal: its API clients
(OAuth 2 client credentials, django-oauth-toolkit) and its webhooks (signed posts of its
dossiers' events, delivered through the task queue like mails). docs/api.md."""

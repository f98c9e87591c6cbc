"""arq workers: job functions call the same services the API uses."""

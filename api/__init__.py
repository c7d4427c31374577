"""The FastAPI service: the one owner of data and of authorization."""

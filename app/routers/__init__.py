"""HTTP and WebSocket routes: parse, authorise, call one service, shape the response."""

"""reliefgraph: Sishui County's social-assistance graph. Settings, CLI and (later) the app."""

"""The local playground: a small web app that behaves like a chat channel, so anyone can try
Paperboy without a Discord or Slack app. A real adapter: the engine posts into it through the
Publisher port, and its composer speaks the same `/papers` commands."""

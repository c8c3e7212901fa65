"""Tools a chain calls while it decodes: the chain pauses at a trigger, the tool's result is
appended to it, and it goes on (`app/engines/interjection.py`)."""

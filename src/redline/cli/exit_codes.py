"""Exit codes shared by every command."""

OK = 0
GATE_FAILED = 1
TOOL_ERROR = 2

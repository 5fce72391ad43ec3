"""tree-sitter readers: Python syntax newer than the running interpreter, and JavaScript/TypeScript.
The grammars are imported only when a file of their language is read (``redline --version`` stays instant)."""

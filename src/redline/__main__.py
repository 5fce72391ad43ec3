from redline.cli.main import console

console()

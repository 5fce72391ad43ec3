"""Folders that hold other projects' code, installed or copied into the tree: one list for every reader that
tells the application's own files from a dependency's (the code index, the secret rules' noise filter,
compose discovery, the manifest reader).

A reader that needs more keeps its own extra names beside this list, with the reason: build output
(``dist``) is the app's own code compiled, not a dependency's, and ``external/`` is a checkout of another
project for compose discovery but often the app's own adapters to external services for the code index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redline.core.workspace import SourceFile

#: ``npm install`` (node_modules), Bower and jspm installs, ``go mod vendor``/Composer/Bundler (vendor), and
#: the folders projects copy libraries into by hand (vendors, third_party, third-party, thirdparty)
THIRD_PARTY_DIRS = frozenset(
    {
        "node_modules",
        "bower_components",
        "jspm_packages",
        "vendor",
        "vendors",
        "third_party",
        "third-party",
        "thirdparty",
    }
)


#: where a package manager installs packages: npm's ``node_modules``, pip's ``site-packages`` (a virtualenv's
#: ``lib/python3.x/site-packages``). A manifest under one is an installed package's, never the project's.
INSTALLED_PACKAGE_DIRS = frozenset({"node_modules", "site-packages"})


def in_installed_package(path: str) -> bool:
    """A folder of ``path`` (never its file name) is where packages are installed, compared lower-cased: the
    file belongs to an installed package (its ``package.json``, ``pyproject.toml``), not to the project."""
    return in_folder_named(path, INSTALLED_PACKAGE_DIRS)


def others_code(file: SourceFile) -> bool:
    """Another project's code in the tree: in a folder packages were installed into (``SourceFile.installed``:
    bazarr's ``libs/``) or in a third-party folder. The readers of a project's own modules (the Python source, the
    code index) leave it out."""
    return file.installed or in_third_party_dir(file.path)


def in_third_party_dir(path: str) -> bool:
    """A folder of ``path`` (never its file name) is a third-party folder; names compare lower-cased (an Xcode
    project's ``Vendor/``)."""
    return in_folder_named(path, THIRD_PARTY_DIRS)


def in_folder_named(path: str, names: frozenset[str]) -> bool:
    """A folder of ``path`` (never its file name) has one of ``names`` (lower case), compared lower-cased: for a
    reader that skips its own folders beside the third-party ones (``THIRD_PARTY_DIRS | {...}``) in one walk."""
    return any(part.lower() in names for part in folder_names(path))


def folder_names(path: str) -> list[str]:
    """The folders of ``path`` above its file name, as ``PurePosixPath(path).parts[:-1]`` names them (empty and
    ``.`` parts dropped) but by splitting the string: readers ask this for every file of the tree, and building a
    path object per file cost more than their whole test did."""
    return [part for part in path.split("/") if part and part != "."][:-1]

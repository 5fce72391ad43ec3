"""Why is this package here: shortest paths from the project through ``DependencyEdge`` facts."""

from __future__ import annotations

from collections import deque

from redline.core.packages import PackageManifest


def dependency_paths(manifest: PackageManifest) -> dict[str, list[str]]:
    """For every package reachable from the project, the shortest path of keys from a direct
    dependency down to it (breadth first from the project; ties broken by sorted edge order)."""
    children: dict[str, list[str]] = {}
    for edge in manifest.edges:
        children.setdefault(edge.parent, []).append(edge.child)
    starts = list(children.get("", []))
    starts += [p.key for p in manifest.packages if p.direct and p.key not in starts]
    parent_of: dict[str, str] = {}
    seen = set(starts)
    queue = deque(starts)
    while queue:
        node = queue.popleft()
        for child in children.get(node, ()):
            if child not in seen:
                seen.add(child)
                parent_of[child] = node
                queue.append(child)
    paths: dict[str, list[str]] = {}
    for node in seen:
        path = [node]
        while path[-1] in parent_of:
            path.append(parent_of[path[-1]])
        paths[node] = path[::-1]
    return paths


def dependency_path(manifest: PackageManifest, key: str) -> list[str]:
    """Shortest path ``[direct dependency, ..., key]``; ``[key]`` for a direct dependency and ``[]``
    when the file records no path to it (flat lockfiles such as Pipfile.lock or gradle.lockfile)."""
    return dependency_paths(manifest).get(key, [])

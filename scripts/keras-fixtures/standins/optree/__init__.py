"""Pure-Python stand-in for optree: the pytree functions Keras 3's tree module calls.

Containers are None (unless none_is_leaf), tuples and namedtuples, lists, dicts (children in
sorted key order, as optree does), OrderedDicts and defaultdicts (insertion order), and the
classes registered with register_pytree_node(_class). Everything else is a leaf.
"""
from collections import OrderedDict, defaultdict

_registry = {}


def register_pytree_node(cls, flatten_func, unflatten_func, namespace=""):
    # flatten_func returns (children, metadata) or (children, metadata, entries).
    _registry[cls] = (flatten_func, unflatten_func)
    return cls


def register_pytree_node_class(cls=None, namespace=""):
    def register(c):
        return register_pytree_node(
            c, lambda x: x.tree_flatten(), lambda meta, ch: c.tree_unflatten(meta, ch)
        )

    if cls is None or isinstance(cls, str):
        return register
    return register(cls)


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _node(x, none_is_leaf):
    """(children, entries, rebuild) for a container, or None for a leaf."""
    if x is None:
        if none_is_leaf:
            return None
        return [], [], lambda ch: None
    t = type(x)
    if t in _registry:
        flat, unflat = _registry[t]
        out = flat(x)
        children, meta = list(out[0]), out[1]
        entries = list(out[2]) if len(out) > 2 and out[2] is not None else list(range(len(children)))
        return children, entries, lambda ch: unflat(meta, ch)
    if _is_namedtuple(x):
        return list(x), list(range(len(x))), lambda ch: t(*ch)
    if isinstance(x, tuple):
        return list(x), list(range(len(x))), lambda ch: t(ch)
    if isinstance(x, list):
        return list(x), list(range(len(x))), lambda ch: t(ch)
    if isinstance(x, (OrderedDict, defaultdict)):
        keys = list(x.keys())
        if isinstance(x, defaultdict):
            factory = x.default_factory
            return [x[k] for k in keys], keys, lambda ch: defaultdict(factory, zip(keys, ch))
        return [x[k] for k in keys], keys, lambda ch: t(zip(keys, ch))
    if isinstance(x, dict):
        try:
            keys = sorted(x.keys())
        except TypeError:
            keys = list(x.keys())
        original = list(x.keys())

        def rebuild(ch):
            values = dict(zip(keys, ch))
            # The result keeps the input's key order, as optree does for dict.
            return t((k, values[k]) for k in original) if t is not dict else {k: values[k] for k in original}

        return [x[k] for k in keys], keys, rebuild
    return None


class PyTreeSpec:
    def __init__(self, kind, rebuild=None, children=(), entries=()):
        self.kind = kind  # "leaf" or "node"
        self.rebuild = rebuild
        self.children = list(children)
        self.entries = list(entries)

    @property
    def num_leaves(self):
        if self.kind == "leaf":
            return 1
        return sum(c.num_leaves for c in self.children)

    @property
    def num_nodes(self):
        if self.kind == "leaf":
            return 1
        return 1 + sum(c.num_nodes for c in self.children)

    def unflatten(self, leaves):
        it = iter(leaves)
        out = self._build(it)
        return out

    def _build(self, it):
        if self.kind == "leaf":
            return next(it)
        return self.rebuild([c._build(it) for c in self.children])


def _flatten(x, is_leaf, none_is_leaf, path, leaves, paths):
    if is_leaf is not None and is_leaf(x):
        leaves.append(x)
        paths.append(tuple(path))
        return PyTreeSpec("leaf")
    node = _node(x, none_is_leaf)
    if node is None:
        leaves.append(x)
        paths.append(tuple(path))
        return PyTreeSpec("leaf")
    children, entries, rebuild = node
    specs = [
        _flatten(c, is_leaf, none_is_leaf, path + [e], leaves, paths)
        for c, e in zip(children, entries)
    ]
    return PyTreeSpec("node", rebuild, specs, entries)


def tree_flatten(tree, is_leaf=None, *, none_is_leaf=False, namespace=""):
    leaves, paths = [], []
    spec = _flatten(tree, is_leaf, none_is_leaf, [], leaves, paths)
    return leaves, spec


def tree_flatten_with_path(tree, is_leaf=None, *, none_is_leaf=False, namespace=""):
    leaves, paths = [], []
    spec = _flatten(tree, is_leaf, none_is_leaf, [], leaves, paths)
    return paths, leaves, spec


def tree_paths(tree, is_leaf=None, *, none_is_leaf=False, namespace=""):
    return tree_flatten_with_path(tree, is_leaf, none_is_leaf=none_is_leaf)[0]


def tree_unflatten(treespec, leaves):
    return treespec.unflatten(leaves)


def tree_is_leaf(tree, is_leaf=None, *, none_is_leaf=False, namespace=""):
    if is_leaf is not None and is_leaf(tree):
        return True
    return _node(tree, none_is_leaf) is None


def _map(func, spec, tree, rests, none_is_leaf):
    # Walks the first tree's structure; the others are flattened up to it.
    if spec.kind == "leaf":
        return func(tree, *rests)
    node = _node(tree, none_is_leaf)
    children = node[0]
    rest_children = []
    for r in rests:
        rn = _node(r, none_is_leaf)
        if rn is None or len(rn[0]) != len(children):
            raise ValueError("tree_map: structures differ")
        rest_children.append(rn[0])
    mapped = [
        _map(func, cs, c, [rc[i] for rc in rest_children], none_is_leaf)
        for i, (cs, c) in enumerate(zip(spec.children, children))
    ]
    return spec.rebuild(mapped)


def tree_map(func, tree, *rests, is_leaf=None, none_is_leaf=False, namespace=""):
    _, spec = tree_flatten(tree, is_leaf, none_is_leaf=none_is_leaf)
    if is_leaf is not None:
        # Leaves chosen by is_leaf: map by flattening everything to the first tree's leaves.
        leaves = tree_flatten(tree, is_leaf, none_is_leaf=none_is_leaf)[0]
        rest_leaves = [_flatten_up_to(spec, r, none_is_leaf) for r in rests]
        return spec.unflatten([func(*xs) for xs in zip(leaves, *rest_leaves)])
    return _map(func, spec, tree, list(rests), none_is_leaf)


def _flatten_up_to(spec, tree, none_is_leaf):
    if spec.kind == "leaf":
        return [tree]
    node = _node(tree, none_is_leaf)
    if node is None or len(node[0]) != len(spec.children):
        raise ValueError("tree_map: structures differ")
    out = []
    for cs, c in zip(spec.children, node[0]):
        out.extend(_flatten_up_to(cs, c, none_is_leaf))
    return out

"""Sphinx extension: an index of every exercise in the book, built from the book itself.

Add ``booktools.exercise_index`` to ``sphinx.local_extensions`` in ``_config.yml``
(after ``sphinx_exercise``) and write, in any page,

.. code-block:: md

    ```{exercise-index}
    ```

The directive leaves a placeholder. When the page is written (Sphinx's
``doctree-resolved`` event, after every page has been read and numbered), the
placeholder becomes a count of the exercises and a list grouped by chapter in
table-of-contents order: each entry shows the exercise's number and title as
the chapter shows them ("Exercise 2.1 (XOR from NAND gates)") and links to it.
Nothing is typed by hand: the entries come from the registry sphinx-exercise
keeps in the build environment (``env.sphinx_exercise_registry``, label ->
``{"type", "docname", "node"}``) and the numbers from ``env.toc_fignumbers``.
Hidden exercises (``:hidden:``) are left out.

The page with the index depends on every other page, so it is read again
whenever any page changes (``env-get-outdated``).
"""

from __future__ import annotations

from dataclasses import dataclass

from docutils import nodes
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

from booktools.chapter_exercises import EXERCISE_DIRECTIVES, PROSE_ONLY


class exercise_index_placeholder(nodes.General, nodes.Element):
    """Where an index goes; replaced when the page is resolved."""


@dataclass(frozen=True)
class ExerciseEntry:
    """One exercise as the index lists it."""

    docname: str
    label: str
    number: str  # "2.1", or "" for an unnumbered exercise
    title: str  # the exercise's own title (subtitle), "" if it has none
    serial: int  # order within its page
    argue: bool = (
        False  # a derive/argue exercise (``:class: prose-only``): no self-check, graded by hand
    )


class ExerciseIndexDirective(SphinxDirective):
    """``{exercise-index}``: list every exercise in the book (no arguments, no content)."""

    has_content = False
    required_arguments = 0
    optional_arguments = 0

    def run(self):
        docs = getattr(self.env, "vgp_exercise_index_docs", set())
        docs.add(self.env.docname)
        self.env.vgp_exercise_index_docs = docs
        return [exercise_index_placeholder()]


def toc_order(env, root: str) -> list[str]:
    """Document names in reading order: a depth-first walk of the toctrees from ``root``.

    >>> from types import SimpleNamespace
    >>> env = SimpleNamespace(toctree_includes={"intro": ["a", "b"], "a": ["a1", "intro"]})
    >>> toc_order(env, "intro")
    ['intro', 'a', 'a1', 'b']
    """
    order: list[str] = []
    seen: set[str] = set()

    def walk(doc: str) -> None:
        if doc in seen:
            return
        seen.add(doc)
        order.append(doc)
        for child in env.toctree_includes.get(doc, []):
            walk(child)

    walk(root)
    return order


def collect_exercises(env, root: str) -> list[tuple[str, list[ExerciseEntry]]]:
    """``[(docname, [entries...]), ...]`` for every page with exercises, in TOC order.

    Pages with exercises that no toctree reaches come last, by name, so that no
    exercise is ever silently missing from the index.
    """
    registry = getattr(env, "sphinx_exercise_registry", {})
    by_doc: dict[str, list[ExerciseEntry]] = {}
    for label, item in registry.items():
        node = item.get("node")
        if item.get("type") not in EXERCISE_DIRECTIVES or node is None or node.get("hidden", False):
            continue
        docname = item["docname"]
        ids = node.get("ids") or [label]
        number = env.toc_fignumbers.get(docname, {}).get("exercise", {}).get(ids[0], ())
        subtitle = _subtitle(node)
        by_doc.setdefault(docname, []).append(
            ExerciseEntry(
                docname=docname,
                label=label,
                number=".".join(map(str, number)),
                title=subtitle.astext() if subtitle is not None else "",
                serial=int(node.get("serial_number", 0)),
                argue=PROSE_ONLY in node.get("classes", []),
            )
        )
    ordered = [d for d in toc_order(env, root) if d in by_doc]
    ordered += sorted(set(by_doc) - set(ordered))
    return [(d, sorted(by_doc[d], key=lambda e: e.serial)) for d in ordered]


def _subtitle(exercise_node):
    """The ``exercise_subtitle`` node of an unresolved exercise node, or None."""
    from sphinx_exercise.nodes import exercise_subtitle, exercise_title

    for child in exercise_node.children:
        if isinstance(child, exercise_title):
            for part in child.children:
                if isinstance(part, exercise_subtitle):
                    return part
    return None


def _title_nodes(app, fromdocname: str, entry: ExerciseEntry) -> list:
    """Link text: "Exercise 2.1 (title)", keeping inline markup such as math in the title."""
    fmt = app.config.numfig_format.get("exercise", "Exercise %s")
    head = fmt % entry.number if entry.number else fmt.replace("%s", "").strip()
    out: list = [nodes.Text(head)]
    subtitle = _subtitle(app.env.sphinx_exercise_registry[entry.label]["node"])
    if subtitle is not None:
        out.append(nodes.Text(" ("))
        for child in subtitle.deepcopy().children:
            # References were resolved earlier in the build: keep only their text.
            for xref in list(child.findall(addnodes.pending_xref)):
                xref.replace_self(nodes.inline(text=xref.astext()))
            if isinstance(child, addnodes.pending_xref):
                child = nodes.inline(text=child.astext())
            if any(True for _ in child.findall(nodes.math)):
                app.env.get_domain("math").data["has_equations"][fromdocname] = True
            out.append(child)
        out.append(nodes.Text(")"))
    return out


def build_index(app, fromdocname: str) -> list:
    """The nodes that replace a placeholder in page ``fromdocname``."""
    env = app.env
    groups = collect_exercises(env, app.config.root_doc)
    total = sum(len(entries) for _, entries in groups)
    argue = sum(entry.argue for _, entries in groups for entry in entries)
    summary = nodes.paragraph(
        text=f"{total} exercise{'s' if total != 1 else ''} in {len(groups)} "
        f"chapter{'s' if len(groups) != 1 else ''}"
        + (
            f"; {argue} of them ask for a derivation or an argument (marked derive/argue)."
            if argue
            else "."
        )
    )
    summary["classes"].append("vgp-exercise-count")
    chapters = nodes.bullet_list(classes=["vgp-exercise-index"])
    for docname, entries in groups:
        chapter_ref = nodes.reference(
            "", "", internal=True, refuri=app.builder.get_relative_uri(fromdocname, docname)
        )
        chapter_ref += nodes.Text(
            env.titles[docname].astext() if docname in env.titles else docname
        )
        item = nodes.list_item("", nodes.paragraph("", "", nodes.strong("", "", chapter_ref)))
        exercises = nodes.bullet_list()
        for entry in entries:
            ref = nodes.reference(
                "",
                "",
                internal=True,
                refuri=app.builder.get_relative_uri(fromdocname, docname) + "#" + entry.label,
            )
            ref.extend(_title_nodes(app, fromdocname, entry))
            line = nodes.paragraph("", "", ref)
            if entry.argue:
                line += nodes.Text(" — ")
                line += nodes.emphasis(text="derive/argue")
            exercises += nodes.list_item("", line)
        item += exercises
        chapters += item
    return [summary, chapters]


def _on_doctree_resolved(app, doctree, fromdocname: str) -> None:
    for placeholder in list(doctree.findall(exercise_index_placeholder)):
        placeholder.replace_self(build_index(app, fromdocname))


def _on_env_get_outdated(app, env, added, changed, removed):
    if added or changed or removed:
        return sorted(getattr(env, "vgp_exercise_index_docs", set()) - set(added) - set(changed))
    return []


def _on_env_purge_doc(app, env, docname: str) -> None:
    getattr(env, "vgp_exercise_index_docs", set()).discard(docname)


def _on_env_merge_info(app, env, docnames, other) -> None:
    docs = getattr(env, "vgp_exercise_index_docs", set())
    docs |= getattr(other, "vgp_exercise_index_docs", set())
    env.vgp_exercise_index_docs = docs


def setup(app):
    app.setup_extension("sphinx_exercise")
    app.add_node(exercise_index_placeholder)
    app.add_directive("exercise-index", ExerciseIndexDirective)
    app.connect("doctree-resolved", _on_doctree_resolved)
    app.connect("env-get-outdated", _on_env_get_outdated)
    app.connect("env-purge-doc", _on_env_purge_doc)
    app.connect("env-merge-info", _on_env_merge_info)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

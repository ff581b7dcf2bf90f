"""Predict, then see: a multiple-choice guess asked before the figure that answers it.

The reader commits to one of a few options, presses *Check my guess*, and hears
whether the guess was right and why. On the site the figure named by ``reveal``
stays hidden until then (or until *Show me without guessing*), so the answer is
not on screen while the reader thinks. Like the sliders it needs no kernel: plain
HTML (a ``fieldset`` of radio buttons with a ``legend``, two buttons and a
``role="status"`` line read out by screen readers) and a few lines of inline
JavaScript. Without JavaScript the options show with a line saying that the
figure below answers the question, and nothing is hidden. In JupyterLab the same
control answers the guess; figures there carry no id, so nothing is hidden.

The markup (the browser test relies on it)::

    <div class="vgp-guess" id="vgp-guess-<hash>" data-reveal="<figure id>">
      <fieldset><legend>Predict: <question></legend>
        <label><input type="radio" name="<id>-choice" value="0"> <option 0></label> ...
      </fieldset>
      <p class="vgp-guess-nojs">...</p>
      <div class="vgp-guess-actions" style="display:none">
        <button type="button" class="vgp-guess-check">Check my guess</button>
        <button type="button" class="vgp-guess-skip">Show me without guessing</button>
      </div>
      <p class="vgp-guess-result" role="status" aria-live="polite"></p>
      <script type="application/json" class="vgp-guess-data">{"answer", "why", "options"}</script>
      <script>...</script>
    </div>
"""

from __future__ import annotations

import hashlib
import html as _html
import json
from collections.abc import Sequence

from .._validate import check_int, check_sequence

_JS = """(function () {
  var script = document.currentScript;
  var root = (script && script.closest('.vgp-guess')) || document.getElementById(%(id)s);
  if (!root || root.getAttribute('data-vgp-wired')) return;
  root.setAttribute('data-vgp-wired', '1');
  var data = JSON.parse(root.querySelector('.vgp-guess-data').textContent);
  var result = root.querySelector('.vgp-guess-result');
  var actions = root.querySelector('.vgp-guess-actions');
  var target = null, guessed = false;
  root.querySelector('.vgp-guess-nojs').hidden = true;
  actions.style.display = 'flex';
  function holdBack() {  // the figure comes after the control: look for it once parsed
    target = root.dataset.reveal ? document.getElementById(root.dataset.reveal) : null;
    if (target && !guessed) {
      target.style.display = 'none';
      target.setAttribute('data-vgp-guess-hidden', '1');
    }
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', holdBack);
  } else {
    holdBack();
  }
  function reveal() {
    guessed = true;
    if (target) { target.style.display = ''; target.removeAttribute('data-vgp-guess-hidden'); }
  }
  root.querySelector('.vgp-guess-check').addEventListener('click', function () {
    var chosen = root.querySelector('input[type=radio]:checked');
    if (!chosen) {
      result.textContent = 'Choose one of the options first.';
      return;
    }
    var i = parseInt(chosen.value, 10);
    var verdict = i === data.answer
      ? 'Your guess, \\u201c' + data.options[i] + '\\u201d, is right. '
      : 'Your guess was \\u201c' + data.options[i] + '\\u201d; the answer is \\u201c' +
        data.options[data.answer] + '\\u201d. ';
    result.textContent = verdict + data.why;
    reveal();
  });
  root.querySelector('.vgp-guess-skip').addEventListener('click', function () {
    result.textContent =
      'The answer is \\u201c' + data.options[data.answer] + '\\u201d. ' + data.why;
    reveal();
  });
})();"""

_STYLE_ROOT = (
    "max-width:688px;margin:0.8em auto;padding:0.6em 0.9em;"
    "border:1px solid #8a8a8a;border-radius:6px;"
)
_STYLE_FIELDSET = "border:0;margin:0;padding:0;"
_STYLE_LEGEND = (
    "font-size:1em;font-weight:600;line-height:1.4;padding:0;margin-bottom:0.3em;"
    "float:none;width:auto;"
)
_STYLE_LABEL = "display:flex;gap:0.5em;align-items:baseline;margin:0.25em 0;cursor:pointer;"
_STYLE_ACTIONS = "display:none;flex-wrap:wrap;gap:0.5em;margin-top:0.5em;"
_STYLE_BUTTON = "padding:0.3em 0.8em;min-height:2.2em;cursor:pointer;"


def _data_json(payload: dict) -> str:
    text = json.dumps(payload, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def guess(question: str, options: Sequence[str], *, answer: int, why: str, reveal: str = ""):
    """A predict-then-see control: ``question`` with ``options``, answered by ``why``.

    Parameters
    ----------
    question : str
        What the reader predicts, as one question ("Which layer learns fastest?").
    options : sequence of str
        Two to five short answers, in plain text.
    answer : int
        Index in ``options`` of the right one.
    why : str
        One or two sentences said after any guess: what the figure shows and why.
    reveal : str
        Label (``name``) of the figure that answers the question; on the site it stays
        hidden until the reader guesses. ``""`` hides nothing.

    Returns
    -------
    IPython.display.HTML
        The control's markup (see the module docstring).
    """
    from IPython.display import HTML

    if not isinstance(question, str) or not question.strip():
        raise ValueError(f"question must be non-empty text, got {question!r}")
    options = check_sequence("options", options, what="texts", min_len=2, max_len=5)
    if not all(isinstance(o, str) and o.strip() for o in options):
        raise ValueError(f"options must be 2 to 5 non-empty texts, got {options!r}")
    answer = check_int("answer", answer, lo=0, hi=len(options) - 1)  # an option's index
    if not isinstance(why, str) or not why.strip():
        raise ValueError(f"why must be non-empty text, got {why!r}")
    if not isinstance(reveal, str):
        raise TypeError(f"reveal must be a figure label (str), got {type(reveal).__name__}")

    digest = hashlib.sha256("\0".join([question, *options, why, reveal]).encode("utf-8"))
    ident = "vgp-guess-" + digest.hexdigest()[:12]
    esc = _html.escape
    choices = "".join(
        f'<label style="{_STYLE_LABEL}"><input type="radio" name="{ident}-choice" value="{i}"> '
        f"<span>{esc(o)}</span></label>\n"
        for i, o in enumerate(options)
    )
    nojs = "Make your guess, then read on: the figure below answers it."
    markup = (
        f'<div class="vgp-guess" id="{ident}" data-reveal="{esc(reveal)}" style="{_STYLE_ROOT}">\n'
        f'<fieldset style="{_STYLE_FIELDSET}"><legend style="{_STYLE_LEGEND}">'
        f"Predict: {esc(question)}</legend>\n{choices}</fieldset>\n"
        f'<p class="vgp-guess-nojs" style="margin:0.3em 0 0">{nojs}</p>\n'
        f'<div class="vgp-guess-actions" style="{_STYLE_ACTIONS}">'
        f'<button type="button" class="vgp-guess-check" style="{_STYLE_BUTTON}">'
        "Check my guess</button>"
        f'<button type="button" class="vgp-guess-skip" style="{_STYLE_BUTTON}">'
        "Show me without guessing</button></div>\n"
        '<p class="vgp-guess-result" role="status" aria-live="polite" '
        'style="margin:0.4em 0 0"></p>\n'
        '<script type="application/json" class="vgp-guess-data">'
        + _data_json({"answer": answer, "why": why, "options": options})
        + "</script>\n"
        "<script>" + _JS % {"id": json.dumps(ident)} + "</script>\n"
        "</div>"
    )
    return HTML(markup)

"""What the understanding accepts, said out for the recognisers: example sentences, a grammar
and the words.

A recogniser hears better when it expects what people say: the templates' sentences with every
list value (genres, moods, levels, library names) in turn, and a grammar whose language model
leans toward the commands people say most.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from hassil import Sentence

from appliance.dj.understand_grammar import LIST, build_grammar
from appliance.dj.understand_intent import COMMAND_INTENTS
from appliance.dj.understand_lexicon import PLACEHOLDER, Lexicon
from appliance.dj.understand_names import KINDS, NameIndex
from appliance.dj.understand_templates import Expander, Templates, chunk_words
from appliance.dj.understand_text import number_words
from appliance.grammar import Alt, Grammar, Node, Ref, Seq, Words
from appliance.library.genres import GenreMap

COMMAND_WEIGHT = 3
"""How much more the music's controls weigh than talk in the recogniser's language model."""

COMMON_FRAMES = ("play some {}", "play {}", "put on some {}", "some {} please")
"""How the commonest request is said, for the recogniser's language model (one sample in
PARAPHRASE_SHARE + 1 is one of these, with a genre)."""

COMMON_LEVEL_FRAMES = ("set the volume to {}", "volume {}", "turn it to {}")
ROUND_LEVELS = range(10, 101, 10)
"""How a volume level is said most (for the recogniser's language model, as COMMON_FRAMES)."""

PARAPHRASE_SHARE = 8
"""One sentence in this many that the recogniser's language model learns from is a paraphrase
(more, and the commands the templates write are heard less surely: 'play some jazz' became
'play some nujazz' at one in four)."""


def expand(templates: Templates, lexicon: Lexicon, names: NameIndex) -> list[tuple[str, str]]:
    """(intent, sentence) of every template with its list values filled in: the plainest form
    of every template first, taking turns across intents, then more until every list value
    has had its turn."""
    keys = names.keys()
    values: dict[str, list[str]] = {
        name: list(table) for name, table in lexicon.spoken.items() if name != "name"
    }
    values.update({kind: keys[kind] for kind in KINDS})
    values["named"] = [key for kind in KINDS for key in keys[kind]]
    values["name"] = list(templates.sample_names)
    rules = templates.rules
    expander = Expander(rules, values)
    intents = list(templates.intents.intents.values())
    # (round, variant, template order, sentence): variants of every template first (round
    # 0), then the extra sentences that give long lists their turn (round 1)
    per_intent: list[list[tuple[int, int, int, str]]] = [[] for _ in intents]
    sentences: list[tuple[int, Sentence]] = [
        (index, sentence)
        for index, intent in enumerate(intents)
        for data in intent.data
        for sentence in data.sentences
    ]
    for order, (index, sentence) in enumerate(sentences):
        per_intent[index].extend(
            (0, k, order, expander.variant(sentence.expression, k))
            for k in range(expander.width(sentence.expression))
        )
    # Lists longer than the variants so far (genres, library names): more sentences from the
    # templates that use the list, in turn, until every value has had its turn.
    for list_name in values:
        users = [
            (order, index, sentence)
            for order, (index, sentence) in enumerate(sentences)
            if list_name in set(sentence.list_names(rules))
        ]
        for k in itertools.count(1):
            if not users or expander.unused(list_name) == 0:
                break
            order, index, sentence = users[k % len(users)]
            text = expander.variant(sentence.expression, k)
            per_intent[index].append((1, k, order, text))
    turns = itertools.zip_longest(
        *(
            [(intents[index].name, text) for *_order, text in sorted(texts)]
            for index, texts in enumerate(per_intent)
        )
    )
    seen: set[str] = set()
    examples: list[tuple[str, str]] = []
    for pair in itertools.chain.from_iterable(turns):
        if pair is not None and pair[1] and pair[1] not in seen:
            seen.add(pair[1])
            examples.append(pair)
    return examples


def grammar(
    templates: Templates,
    lexicon: Lexicon,
    genres: GenreMap,
    names: NameIndex,
    people: Iterable[str] = (),
) -> Grammar:
    """What the DJ understands as a compact grammar, for a recogniser; ``people``: who may
    introduce themselves ("this is alex") besides a few common names."""
    keys = names.keys()
    lists: dict[str, Iterable[str]] = {name: list(table) for name, table in lexicon.spoken.items()}
    lists.update({kind: keys[kind] for kind in KINDS})
    lists["named"] = [key for kind in KINDS for key in keys[kind]]
    lists["name"] = [*templates.sample_names, *(n.lower() for n in people)]
    # an empty list (no albums yet) cannot be said: prune what needs one. The commands
    # weigh more than talk: a recogniser's language model worked out from the grammar should
    # expect "play some jazz" more than "tell me a joke", as people say them
    weights = {str(name): COMMAND_WEIGHT for name in COMMAND_INTENTS}
    built = build_grammar(templates.intents, templates.rules, lists, weights)
    # the paraphrases too, so that their words and word orders reach the recogniser's
    # language model: one sample in PARAPHRASE_SHARE (one intent, then one of its
    # paraphrases), the templates the rest
    paraphrases = Alt(
        tuple(
            Alt(tuple(_paraphrase_node(text) for text in texts))
            for intent, texts in templates.paraphrases.items()
            if texts and intent != "unknown"
        )
    )
    # and the commonest request of all, "play some jazz", for each genre: from the
    # templates alone it is rare (one genre among a hundred spoken forms, after one
    # optional word among many), and pocketsphinx then heard "play suggest"
    common = Alt(
        tuple(
            Words(frame.format(genre))
            for genre in genres.names()
            if re.fullmatch(r"[a-z ]+", genre)
            for frame in COMMON_FRAMES
        )
        # and a volume is said in round numbers far more often than in any other: sampled
        # alike, "fifty" was mostly followed by one more word ("fifty eight" was heard)
        + tuple(
            Words(frame.format(number_words(level)))
            for level in ROUND_LEVELS
            for frame in COMMON_LEVEL_FRAMES
        )
    )
    said = built.root
    built.root = Alt((*[said] * (PARAPHRASE_SHARE - 1), paraphrases, common))
    return built.pruned(lambda word: True)


def vocabulary_words(templates: Templates, lexicon: Lexicon, names: NameIndex) -> list[str]:
    """Every word the appliance expects to hear, sorted: for recogniser grammars."""
    words = set(lexicon.words) | names.words() | set(templates.sample_names)
    fallback_words: set[str] = set()
    for intent in templates.fallback.intents.values():
        for data in intent.data:
            for sentence in data.sentences:
                fallback_words |= chunk_words(sentence.expression)
    return sorted(words | fallback_words)


def _paraphrase_node(text: str) -> Node:
    """A paraphrase as a grammar node: its words, its placeholders as the lists they name."""
    parts: list[Node] = []
    for index, piece in enumerate(PLACEHOLDER.split(text)):
        if index % 2:
            parts.append(Ref(LIST + ("named" if piece == "artist" else piece)))
        elif piece.strip():
            parts.append(Words(" ".join(piece.split())))
    return parts[0] if len(parts) == 1 else Seq(tuple(parts))

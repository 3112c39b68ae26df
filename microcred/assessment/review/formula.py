"""Answer formulas, parsed with ``ast``, checked against a whitelist, and evaluated without ``eval``.

Allowed: numbers, the declared variable names, ``+ - * / **``, unary ``-`` and ``+``,
parentheses, the constants ``pi`` and ``e`` and the functions ``sqrt log exp sin cos tan abs
round min max``. Anything else (other names, attributes, subscripts, comparisons, text, keyword
arguments, ``^``...) is refused by ``compile_formula`` with its column, and so are parts that use
no variable and have no value (``1 / 0``) or an exponent over ``MAX_EXPONENT``.

``evaluate`` walks the tree in floating point. Exponents are bounded at run time too, and any
result that is not a finite real number (an overflow, a division by zero, the square root of a
negative) raises ``EvaluationError``. Floats, not integers, so no formula can build a huge number
digit by digit.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .errors import EvaluationError, ProblemError

MAX_EXPONENT = 100
"""The largest exponent, in absolute value, that ``**`` accepts (at definition and evaluation)."""
MAX_FORMULA_LENGTH = 500
MAX_FORMULA_NODES = 200


def _round(x: float, digits: float = 0) -> float:
    if digits != int(digits) or abs(digits) > 15:
        raise ValueError("round() takes a whole number of digits from -15 to 15")
    return float(round(x, int(digits)))


def _log(x: float, base: float = math.e) -> float:
    return math.log(x, base)


#: name -> (function, fewest arguments, most arguments)
FUNCTIONS: dict[str, tuple[Callable[..., float], int, int]] = {
    "sqrt": (math.sqrt, 1, 1),
    "log": (_log, 1, 2),
    "exp": (math.exp, 1, 1),
    "sin": (math.sin, 1, 1),
    "cos": (math.cos, 1, 1),
    "tan": (math.tan, 1, 1),
    "abs": (lambda x: float(abs(x)), 1, 1),
    "round": (_round, 1, 2),
    "min": (lambda *args: float(min(args)), 2, 20),
    "max": (lambda *args: float(max(args)), 2, 20),
}
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}

_OPERATORS: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
}
_REFUSED_OPERATORS = {
    ast.BitXor: "'^' is not a power here: write ** (as in x ** 2)",
    ast.Mod: "'%' (remainder) is not allowed",
    ast.FloorDiv: "'//' (whole division) is not allowed: use / and round()",
    ast.MatMult: "'@' is not allowed",
    ast.BitAnd: "'&' is not allowed",
    ast.BitOr: "'|' is not allowed",
    ast.LShift: "'<<' is not allowed",
    ast.RShift: "'>>' is not allowed",
}
_DESCRIPTIONS = {
    ast.Attribute: "attribute access ('.')",
    ast.Subscript: "indexing ('[...]')",
    ast.Compare: "comparisons",
    ast.BoolOp: "'and'/'or'",
    ast.IfExp: "'if ... else'",
    ast.Lambda: "lambda",
    ast.List: "lists",
    ast.Tuple: "tuples (a stray comma?)",
    ast.Dict: "dictionaries",
    ast.Set: "sets",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "generators",
    ast.JoinedStr: "f-strings",
    ast.NamedExpr: "':='",
    ast.Starred: "'*' unpacking",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "slices",
}


@dataclass(frozen=True)
class Formula:
    """A checked answer formula. Only ``compile_formula`` makes one, so the tree is always safe."""

    source: str
    tree: ast.Expression = field(compare=False, repr=False)


def compile_formula(source: str, names: set[str] | frozenset[str]) -> Formula:
    """Parse and check an answer formula over the variable ``names``, or raise ``ProblemError``."""
    if len(source) > MAX_FORMULA_LENGTH:
        raise ProblemError([f"the answer formula is longer than {MAX_FORMULA_LENGTH} characters"])
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as error:
        where = f" at column {error.offset}" if error.offset else ""
        raise ProblemError([f"the answer formula cannot be read{where}: {error.msg}"]) from None
    except (ValueError, RecursionError, MemoryError):
        raise ProblemError(["the answer formula cannot be read: it is too long or too deeply nested"]) from None
    if sum(1 for _ in ast.walk(tree)) > MAX_FORMULA_NODES:
        raise ProblemError([f"the answer formula has more than {MAX_FORMULA_NODES} parts"])
    problems: list[str] = []
    _check(tree.body, names, problems)
    if not problems:
        _check_constant_parts(tree.body, problems)
    if problems:
        raise ProblemError(problems)
    return Formula(source, tree)


def _check_constant_parts(tree: ast.AST, problems: list[str]) -> None:
    """Evaluate, once the tree is known to be safe, the parts that use no variable, so that
    ``1 / 0`` or ``exp(1000)`` is refused now rather than for every learner later, and check that
    an exponent computed from constants (``x ** (10 ** 10)``) is within bounds."""
    for node in ast.walk(tree):
        # A bare name is a function's (in a call) or a constant: nothing to evaluate on its own.
        if isinstance(node, ast.expr) and not isinstance(node, ast.Name) and not _uses_variables(node):
            try:
                _evaluate(node, {})
            except EvaluationError as error:
                problems.append(f"{error} (column {node.col_offset + 1})")
                return
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and not _uses_variables(node.right):
            exponent = _evaluate(node.right, {})
            if abs(exponent) > MAX_EXPONENT:
                column = node.col_offset + 1
                problems.append(f"the exponent {exponent:g} is too large (at most {MAX_EXPONENT}) (column {column})")
                return


def _uses_variables(node: ast.AST) -> bool:
    # Function names are never variables (``_check`` refuses a variable named like one).
    return any(
        isinstance(inner, ast.Name) and inner.id not in CONSTANTS and inner.id not in FUNCTIONS
        for inner in ast.walk(node)
    )


def _check(node: ast.AST, names: set[str] | frozenset[str], problems: list[str]) -> None:
    where = f" (column {getattr(node, 'col_offset', 0) + 1})"
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"{type(value).__name__} values such as {value!r} are not allowed{where}")
        elif (isinstance(value, int) and abs(value) > 10**300) or (
            isinstance(value, float) and not math.isfinite(value)
        ):
            problems.append(f"the number is too large{where}")
    elif isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            problems.append(f"{node.id} is a function: write {node.id}(...){where}")
        elif node.id not in names and node.id not in CONSTANTS:
            declared = ", ".join(sorted(names)) or "none"
            problems.append(f"unknown name {node.id!r}{where}; the variables are: {declared}")
    elif isinstance(node, ast.BinOp):
        refused = _REFUSED_OPERATORS.get(type(node.op))
        if refused is not None:
            problems.append(f"{refused}{where}")
        if isinstance(node.op, ast.Pow):
            exponent = _constant_value(node.right)
            if exponent is not None and abs(exponent) > MAX_EXPONENT:
                problems.append(f"the exponent {exponent:g} is too large (at most {MAX_EXPONENT}){where}")
        _check(node.left, names, problems)
        _check(node.right, names, problems)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            problems.append(f"'{'not' if isinstance(node.op, ast.Not) else '~'}' is not allowed{where}")
        _check(node.operand, names, problems)
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            called = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            allowed = ", ".join(sorted(FUNCTIONS))
            problems.append(f"{called}() is not an allowed function{where}; the functions are: {allowed}")
        else:
            _, fewest, most = FUNCTIONS[node.func.id]
            if node.keywords:
                problems.append(f"{node.func.id}() takes no named arguments{where}")
            if not fewest <= len(node.args) <= most:
                wanted = str(fewest) if fewest == most else f"{fewest} to {most}"
                problems.append(f"{node.func.id}() takes {wanted} argument(s), not {len(node.args)}{where}")
        for argument in node.args:
            _check(argument, names, problems)
    else:
        description = _DESCRIPTIONS.get(type(node), type(node).__name__)
        problems.append(f"{description} not allowed in a formula{where}")


def _constant_value(node: ast.AST) -> float | None:
    """The value of a literal number, possibly signed, as written in the formula (else ``None``)."""
    sign = 1.0
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return sign * float(min(abs(node.value), 10**300))
    return None


def _evaluate(node: ast.AST, env: Mapping[str, float]) -> float:
    """Walk a checked tree. Every intermediate result is a finite float.

    The walk refuses anything off the whitelist by itself too, so that a ``Formula`` built by hand
    around an unchecked tree still cannot reach anything but arithmetic and the listed functions.
    """
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise EvaluationError(f"{type(node.value).__name__} values are not allowed")
        try:
            result = float(node.value)
        except OverflowError:
            raise EvaluationError("the formula holds a number too large") from None
    elif isinstance(node, ast.Name):
        if node.id in env:
            result = env[node.id]
        elif node.id in CONSTANTS:
            result = CONSTANTS[node.id]
        else:
            raise EvaluationError(f"unknown name {node.id!r}")
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _evaluate(node.operand, env)
        result = -operand if isinstance(node.op, ast.USub) else operand
    elif isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, env), _evaluate(node.right, env)
        result = _binary(node.op, left, right)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS:
        function, fewest, most = FUNCTIONS[node.func.id]
        if node.keywords or not fewest <= len(node.args) <= most:
            raise EvaluationError(f"{node.func.id}() is called with the wrong arguments")
        arguments = [_evaluate(argument, env) for argument in node.args]
        try:
            result = function(*arguments)
        except (ValueError, ZeroDivisionError):
            shown = ", ".join(f"{argument:g}" for argument in arguments)
            raise EvaluationError(f"{node.func.id}({shown}) has no value") from None
        except OverflowError:
            raise EvaluationError(f"{node.func.id}() gives a number too large") from None
    else:
        raise EvaluationError(f"{type(node).__name__} is not allowed in a formula")
    if isinstance(result, complex) or not math.isfinite(result):
        raise EvaluationError("the formula gives a number too large, or not a real number, for these values")
    return result


def _binary(operator: ast.operator, left: float, right: float) -> float:
    if isinstance(operator, ast.Div):
        if right == 0:
            raise EvaluationError("the formula divides by zero for these values")
        return left / right
    if isinstance(operator, ast.Pow):
        if abs(right) > MAX_EXPONENT:
            raise EvaluationError(f"the exponent {right:g} is too large (at most {MAX_EXPONENT})")
        if left < 0 and right != int(right):
            raise EvaluationError(f"a negative number ({left:g}) to a fractional power ({right:g}) is not real")
        if left == 0 and right < 0:
            raise EvaluationError("the formula divides by zero for these values (0 to a negative power)")
        try:
            return float(left**right)
        except OverflowError:
            raise EvaluationError("the formula gives a number too large for these values") from None
    arithmetic = _OPERATORS.get(type(operator))
    if arithmetic is None:
        raise EvaluationError(f"{type(operator).__name__} is not allowed in a formula")
    return arithmetic(left, right)


def evaluate(formula: Formula, values: Mapping[str, float]) -> float:
    """The formula's value for ``values`` (name -> number): a finite float, or ``EvaluationError``."""
    return _evaluate(formula.tree.body, values)

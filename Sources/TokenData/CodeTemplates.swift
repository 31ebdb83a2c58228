/// Short Python functions with a one-line task statement, in fenced code blocks.
enum CodeTemplates {
    static func function(_ g: inout TemplateRandom) -> String {
        let k = g.int(2...9)
        let (task, name, args, body): (String, String, String, [String])
        switch g.int(0...9) {
        case 0: (task, name, args, body) = ("returns x plus \(k)", "add_\(k)", "x", ["return x + \(k)"])
        case 1: (task, name, args, body) = ("returns x times \(k)", "times_\(k)", "x", ["return x * \(k)"])
        case 2: (task, name, args, body) = ("returns the sum of a list of numbers", "total", "xs",
                                            ["s = 0", "for x in xs:", "    s += x", "return s"])
        case 3: (task, name, args, body) = ("returns the largest number in a non-empty list", "largest", "xs",
                                            ["best = xs[0]", "for x in xs[1:]:", "    if x > best:", "        best = x", "return best"])
        case 4: (task, name, args, body) = ("returns True when n is divisible by \(k)", "divisible_by_\(k)", "n", ["return n % \(k) == 0"])
        case 5: (task, name, args, body) = ("returns the factorial of n", "factorial", "n",
                                            ["result = 1", "for i in range(2, n + 1):", "    result *= i", "return result"])
        case 6: (task, name, args, body) = ("returns the string s reversed", "reverse", "s", ["return s[::-1]"])
        case 7: (task, name, args, body) = ("counts the vowels in the string s", "count_vowels", "s",
                                            ["return sum(1 for c in s if c in \"aeiou\")"])
        case 8: (task, name, args, body) = ("returns the list of squares of 0 to n - 1", "squares", "n",
                                            ["return [i * i for i in range(n)]"])
        default: (task, name, args, body) = ("returns the n-th Fibonacci number", "fib", "n",
                                             ["a, b = 0, 1", "for _ in range(n):", "    a, b = b, a + b", "return a"])
        }
        var text = "Write a Python function `\(name)(\(args))` that \(task).\n```python\ndef \(name)(\(args)):\n"
        for line in body { text += "    " + line + "\n" }
        text += "```\n"
        if g.chance(40), let example = example(name: name, k: k, &g) { text += example + "\n" }
        return text
    }

    /// An example call with its result, for the functions where that is cheap to state.
    private static func example(name: String, k: Int, _ g: inout TemplateRandom) -> String? {
        let x = g.int(0...20)
        if name.hasPrefix("add_") { return "Example: \(name)(\(x)) returns \(x + k)." }
        if name.hasPrefix("times_") { return "Example: \(name)(\(x)) returns \(x * k)." }
        if name.hasPrefix("divisible_by_") { return "Example: \(name)(\(x)) returns \(x % k == 0 ? "True" : "False")." }
        if name == "reverse" { return "Example: reverse(\"abc\") returns \"cba\"." }
        return nil
    }
}

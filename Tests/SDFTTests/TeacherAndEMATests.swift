import Testing
@testable import SDFT

@Test func emaMovesTeacherByRateTowardsStudent() {
    var teacher: [Float] = [0, 10, -4]
    let student: [Float] = [1, 0, 4]
    emaUpdate(teacher: &teacher, student: student, count: 3, rate: 0.25)
    // φ ← a·θ + (1−a)·φ with a = 0.25; all values exactly representable.
    #expect(teacher == [0.25, 7.5, -2])
    emaUpdate(teacher: &teacher, student: student, count: 3, rate: 1)
    #expect(teacher == student)
    emaUpdate(teacher: &teacher, student: [9, 9, 9], count: 3, rate: 0)
    #expect(teacher == student)
}

@Test func defaultTemplatePutsDemonstrationInTeacherContextOnly() throws {
    let template = try TeacherTemplate()
    let text = template.render(prompt: "What is 2+3?", demonstration: "2+3 = \\boxed{5}")
    #expect(text.hasPrefix("What is 2+3?\n\nThis is an example for a response to the question:\n2+3 = \\boxed{5}\n"))
    #expect(text.hasSuffix("Now answer with a response of your own, including the thinking process."))
}

@Test func templateSubstitutionIsSinglePass() throws {
    let template = try TeacherTemplate("[{prompt}|{demonstration}|{prompt}]")
    #expect(template.render(prompt: "{demonstration}", demonstration: "D") == "[{demonstration}|D|{demonstration}]")
}

@Test func templateWithoutPlaceholderIsRejected() {
    #expect(throws: SDFTError.badTemplate("t.txt: missing placeholder {demonstration}")) {
        try TeacherTemplate("{prompt} only", source: "t.txt")
    }
}

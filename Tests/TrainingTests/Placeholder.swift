import Testing

@Test func TrainingTestsPlaceholder() { #expect(1 + 1 == 2) }

import Testing

@Test func GenerationTestsPlaceholder() { #expect(1 + 1 == 2) }

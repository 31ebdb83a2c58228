import Testing

@Test func ModelTestsPlaceholder() { #expect(1 + 1 == 2) }

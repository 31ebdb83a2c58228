import Testing

@Test func SandboxTestsPlaceholder() { #expect(1 + 1 == 2) }

import Testing

@Test func TensorTestsPlaceholder() { #expect(1 + 1 == 2) }

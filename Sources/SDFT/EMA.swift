// Teacher = exponential moving average of the student: φ ← a·θ + (1 − a)·φ after every optimizer step.

/// In-place EMA update of `teacher` towards `student`, element-wise over `count` floats.
/// `rate` is `a` in the spec (0.01 by default); `rate = 1` copies the student, `rate = 0` freezes the teacher.
public func emaUpdate(teacher: UnsafeMutablePointer<Float>, student: UnsafePointer<Float>, count: Int, rate: Float) {
    precondition(rate >= 0 && rate <= 1, "EMA rate must be in [0, 1]")
    let keep = 1 - rate
    for i in 0..<count {
        teacher[i] = rate * student[i] + keep * teacher[i]
    }
}

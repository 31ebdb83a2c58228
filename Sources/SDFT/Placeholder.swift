// SDFT: placeholder until its issue lands; replace this file.
enum SDFTModulePlaceholder {}

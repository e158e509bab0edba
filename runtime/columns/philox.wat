(module
  ;; Philox-4x32-10: ten rounds on the counter (c0, c1, c2, c3) with key (k0, k1); the four output
  ;; words stored at bytes 0..15 of the memory. The 64-bit products are i64 multiplications.
  (memory (export "m") 1)
  (func (export "p") (param $c0 i32) (param $c1 i32) (param $c2 i32) (param $c3 i32) (param $k0 i32) (param $k1 i32)
    (local $r i32) (local $p0 i64) (local $p1 i64) (local $n0 i32)
    (loop $round
      (local.set $p0 (i64.mul (i64.const 0xD2511F53) (i64.extend_i32_u (local.get $c0))))
      (local.set $p1 (i64.mul (i64.const 0xCD9E8D57) (i64.extend_i32_u (local.get $c2))))
      (local.set $n0 (i32.xor (i32.xor (i32.wrap_i64 (i64.shr_u (local.get $p1) (i64.const 32))) (local.get $c1)) (local.get $k0)))
      (local.set $c2 (i32.xor (i32.xor (i32.wrap_i64 (i64.shr_u (local.get $p0) (i64.const 32))) (local.get $c3)) (local.get $k1)))
      (local.set $c1 (i32.wrap_i64 (local.get $p1)))
      (local.set $c3 (i32.wrap_i64 (local.get $p0)))
      (local.set $c0 (local.get $n0))
      (local.set $k0 (i32.add (local.get $k0) (i32.const 0x9E3779B9)))
      (local.set $k1 (i32.add (local.get $k1) (i32.const 0xBB67AE85)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $round (i32.lt_u (local.get $r) (i32.const 10))))
    (i32.store (i32.const 0) (local.get $c0))
    (i32.store (i32.const 4) (local.get $c1))
    (i32.store (i32.const 8) (local.get $c2))
    (i32.store (i32.const 12) (local.get $c3))))

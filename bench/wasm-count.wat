;; The jagged count, count(pt > 25) per event, in WebAssembly with 128-bit SIMD: a measurement of
;; what a WebAssembly backend could gain (bench/wasm-count.ts), not part of hepc.
;;
;; prefix: an exclusive running count of pt > thr over the T values at $pt, four at a time (the
;; comparison gives -1/0 per lane, a prefix sum within the vector takes two shifted adds), written
;; as T + 1 i32s at $pre. events: each event's count as the difference of the running count at its
;; bounds, as doubles at $out. The same two passes as hepc's generated JavaScript.
(module
  (memory (export "mem") 1024)
  (func (export "prefix") (param $pt i32) (param $T i32) (param $pre i32) (param $thr f32) (result i32)
    (local $j i32) (local $end i32) (local $carry v128) (local $m v128) (local $s v128) (local $thrv v128) (local $c i32)
    (local.set $thrv (f32x4.splat (local.get $thr)))
    (local.set $carry (v128.const i32x4 0 0 0 0))
    (local.set $end (i32.and (local.get $T) (i32.const -4)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $j) (local.get $end)))
        (local.set $m (i32x4.sub (v128.const i32x4 0 0 0 0)
          (f32x4.gt (v128.load (i32.add (local.get $pt) (i32.shl (local.get $j) (i32.const 2)))) (local.get $thrv))))
        ;; inclusive prefix within the vector
        (local.set $s (i32x4.add (local.get $m) (i8x16.shuffle 16 17 18 19 0 1 2 3 4 5 6 7 8 9 10 11 (local.get $m) (v128.const i32x4 0 0 0 0))))
        (local.set $s (i32x4.add (local.get $s) (i8x16.shuffle 16 17 18 19 20 21 22 23 0 1 2 3 4 5 6 7 (local.get $s) (v128.const i32x4 0 0 0 0))))
        (v128.store (i32.add (local.get $pre) (i32.shl (local.get $j) (i32.const 2)))
          (i32x4.add (local.get $carry) (i32x4.sub (local.get $s) (local.get $m))))
        (local.set $carry (i32x4.add (local.get $carry) (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $s) (local.get $s))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $l)))
    (local.set $c (i32x4.extract_lane 0 (local.get $carry)))
    (block $d2
      (loop $l2
        (br_if $d2 (i32.ge_u (local.get $j) (local.get $T)))
        (i32.store (i32.add (local.get $pre) (i32.shl (local.get $j) (i32.const 2))) (local.get $c))
        (local.set $c (i32.add (local.get $c) (f32.gt (f32.load (i32.add (local.get $pt) (i32.shl (local.get $j) (i32.const 2)))) (local.get $thr))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $l2)))
    (i32.store (i32.add (local.get $pre) (i32.shl (local.get $T) (i32.const 2))) (local.get $c))
    (local.get $c))
  (func (export "events") (param $off i32) (param $n i32) (param $pre i32) (param $out i32)
    (local $i i32) (local $p0 i32) (local $p1 i32)
    (local.set $p0 (i32.load (i32.add (local.get $pre) (i32.shl (i32.load (local.get $off)) (i32.const 2)))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $p1 (i32.load (i32.add (local.get $pre) (i32.shl (i32.load (i32.add (local.get $off) (i32.shl (i32.add (local.get $i) (i32.const 1)) (i32.const 2)))) (i32.const 2)))))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))) (f64.convert_i32_s (i32.sub (local.get $p1) (local.get $p0))))
        (local.set $p0 (local.get $p1))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l))))
)

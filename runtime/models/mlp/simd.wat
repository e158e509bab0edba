;; hepc's mlp: the dense product in WebAssembly SIMD (128-bit, four float32 lanes).
;;
;; gemm: C[i, j] = bias[j] + sum_q A(i, q) * B[q, j]  (then max(0, .) when relu is 1), for
;; i < m, j < n, q < p, where A(i, q) is the float32 at a + 4 (i aR + q aC), B is row-major
;; p x n at b, C row-major m x n at c, bias at bias (or none when bias < 0). n must be a multiple
;; of 8: each step holds a block of 4 rows x 8 columns of C in eight vector registers, so every
;; element of C is summed over q in increasing order, one lane per column: the result depends on
;; the shapes alone. Addresses are byte offsets into the imported memory.
(module
  (import "env" "mem" (memory 1))
  (func (export "gemm")
    (param $m i32) (param $n i32) (param $p i32)
    (param $a i32) (param $aR i32) (param $aC i32)
    (param $b i32) (param $c i32) (param $bias i32) (param $relu i32)
    (local $i i32) (local $j i32) (local $q i32)
    (local $rowA i32) (local $colA i32) (local $pa i32) (local $pb i32) (local $pc i32) (local $nb i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $y0 v128) (local $y1 v128) (local $x v128) (local $zero v128)
    (local.set $rowA (i32.shl (local.get $aR) (i32.const 2)))
    (local.set $colA (i32.shl (local.get $aC) (i32.const 2)))
    (local.set $nb (i32.shl (local.get $n) (i32.const 2)))
    (local.set $zero (f32x4.splat (f32.const 0)))
    ;; blocks of 4 rows
    (local.set $i (i32.const 0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $m)))
        (local.set $j (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_s (local.get $j) (local.get $n)))
            (if (i32.ge_s (local.get $bias) (i32.const 0))
              (then
                (local.set $y0 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))
                (local.set $y1 (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))))
              (else
                (local.set $y0 (local.get $zero))
                (local.set $y1 (local.get $zero))))
            (local.set $c00 (local.get $y0)) (local.set $c01 (local.get $y1))
            (local.set $c10 (local.get $y0)) (local.set $c11 (local.get $y1))
            (local.set $c20 (local.get $y0)) (local.set $c21 (local.get $y1))
            (local.set $c30 (local.get $y0)) (local.set $c31 (local.get $y1))
            (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rowA))))
            (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $q (i32.const 0))
            (block $innerDone
              (loop $inner
                (br_if $innerDone (i32.ge_s (local.get $q) (local.get $p)))
                (local.set $y0 (v128.load (local.get $pb)))
                (local.set $y1 (v128.load offset=16 (local.get $pb)))
                (local.set $x (f32x4.splat (f32.load (local.get $pa))))
                (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $y0))))
                (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $y1))))
                (local.set $x (f32x4.splat (f32.load (i32.add (local.get $pa) (local.get $rowA)))))
                (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $y0))))
                (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $y1))))
                (local.set $x (f32x4.splat (f32.load (i32.add (local.get $pa) (i32.shl (local.get $rowA) (i32.const 1))))))
                (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $y0))))
                (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $y1))))
                (local.set $x (f32x4.splat (f32.load (i32.add (local.get $pa) (i32.mul (local.get $rowA) (i32.const 3))))))
                (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $y0))))
                (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $y1))))
                (local.set $pa (i32.add (local.get $pa) (local.get $colA)))
                (local.set $pb (i32.add (local.get $pb) (local.get $nb)))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $inner)))
            (if (local.get $relu)
              (then
                (local.set $c00 (f32x4.max (local.get $c00) (local.get $zero)))
                (local.set $c01 (f32x4.max (local.get $c01) (local.get $zero)))
                (local.set $c10 (f32x4.max (local.get $c10) (local.get $zero)))
                (local.set $c11 (f32x4.max (local.get $c11) (local.get $zero)))
                (local.set $c20 (f32x4.max (local.get $c20) (local.get $zero)))
                (local.set $c21 (f32x4.max (local.get $c21) (local.get $zero)))
                (local.set $c30 (f32x4.max (local.get $c30) (local.get $zero)))
                (local.set $c31 (f32x4.max (local.get $c31) (local.get $zero)))))
            (local.set $pc (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 2))))
            (v128.store (local.get $pc) (local.get $c00))
            (v128.store offset=16 (local.get $pc) (local.get $c01))
            (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
            (v128.store (local.get $pc) (local.get $c10))
            (v128.store offset=16 (local.get $pc) (local.get $c11))
            (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
            (v128.store (local.get $pc) (local.get $c20))
            (v128.store offset=16 (local.get $pc) (local.get $c21))
            (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
            (v128.store (local.get $pc) (local.get $c30))
            (v128.store offset=16 (local.get $pc) (local.get $c31))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br $cols)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows)))
    ;; the remaining rows, one at a time
    (block $restDone
      (loop $rest
        (br_if $restDone (i32.ge_s (local.get $i) (local.get $m)))
        (local.set $j (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_s (local.get $j) (local.get $n)))
            (if (i32.ge_s (local.get $bias) (i32.const 0))
              (then
                (local.set $c00 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))
                (local.set $c01 (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))))
              (else
                (local.set $c00 (local.get $zero))
                (local.set $c01 (local.get $zero))))
            (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rowA))))
            (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $q (i32.const 0))
            (block $innerDone
              (loop $inner
                (br_if $innerDone (i32.ge_s (local.get $q) (local.get $p)))
                (local.set $x (f32x4.splat (f32.load (local.get $pa))))
                (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (v128.load (local.get $pb)))))
                (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (v128.load offset=16 (local.get $pb)))))
                (local.set $pa (i32.add (local.get $pa) (local.get $colA)))
                (local.set $pb (i32.add (local.get $pb) (local.get $nb)))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $inner)))
            (if (local.get $relu)
              (then
                (local.set $c00 (f32x4.max (local.get $c00) (local.get $zero)))
                (local.set $c01 (f32x4.max (local.get $c01) (local.get $zero)))))
            (local.set $pc (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 2))))
            (v128.store (local.get $pc) (local.get $c00))
            (v128.store offset=16 (local.get $pc) (local.get $c01))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br $cols)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rest))))
;; relu_bwd: out[i] = a[i] > 0 ? g[i] : 0 for i < len (len a multiple of 4): the gradient through a
;; relu, read from its output.
  (func (export "relu_bwd") (param $a i32) (param $g i32) (param $out i32) (param $len i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $len) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (v128.store (local.get $out)
          (v128.and (v128.load (local.get $g)) (f32x4.gt (v128.load (local.get $a)) (f32x4.splat (f32.const 0)))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $next))))
;; colsum: out[j] = sum_i d[i, j] over the m rows of a row-major m x n matrix (n a multiple of 4),
;; summed in row order: a bias's gradient.
  (func (export "colsum") (param $m i32) (param $n i32) (param $d i32) (param $out i32)
    (local $j i32) (local $i i32) (local $p i32) (local $acc v128) (local $nb i32)
    (local.set $nb (i32.shl (local.get $n) (i32.const 2)))
    (local.set $j (i32.const 0))
    (block $colsDone
      (loop $cols
        (br_if $colsDone (i32.ge_s (local.get $j) (local.get $n)))
        (local.set $acc (f32x4.splat (f32.const 0)))
        (local.set $p (i32.add (local.get $d) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $i (i32.const 0))
        (block $rowsDone
          (loop $rows
            (br_if $rowsDone (i32.ge_s (local.get $i) (local.get $m)))
            (local.set $acc (f32x4.add (local.get $acc) (v128.load (local.get $p))))
            (local.set $p (i32.add (local.get $p) (local.get $nb)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rows)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2))) (local.get $acc))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $cols))))
)

// An amount in fen written out in Chinese capital numerals (人民币大写), as on a
// receipt: 412650 → 肆仟壹佰贰拾陆元伍角整. Integer arithmetic only.
const DIGITS = '零壹贰叁肆伍陆柒捌玖'
const SMALL = ['', '拾', '佰', '仟']
const BIG = ['', '万', '亿', '万亿']

function section(n: number): string {
  // 0 < n < 10000
  let out = ''
  let zero = false
  for (let i = 3; i >= 0; i--) {
    const d = Math.floor(n / 10 ** i) % 10
    if (d === 0) {
      if (out) zero = true
      continue
    }
    if (zero) out += '零'
    zero = false
    out += DIGITS[d] + SMALL[i]
  }
  return out
}

export function fenToCapital(fen: number): string {
  if (!Number.isFinite(fen)) return ''
  const neg = fen < 0
  const abs = Math.abs(Math.trunc(fen))
  let yuan = Math.floor(abs / 100)
  const jiao = Math.floor(abs / 10) % 10
  const fenDigit = abs % 10
  let intPart = ''
  if (yuan === 0) intPart = ''
  else {
    const parts: number[] = []
    while (yuan > 0) {
      parts.push(yuan % 10000)
      yuan = Math.floor(yuan / 10000)
    }
    let needZero = false
    for (let i = parts.length - 1; i >= 0; i--) {
      const p = parts[i]
      if (p === 0) {
        needZero = intPart !== ''
        continue
      }
      if (needZero || (intPart !== '' && p < 1000)) intPart += '零'
      intPart += section(p) + BIG[i]
      needZero = false
    }
    intPart += '元'
  }
  let dec = ''
  if (jiao === 0 && fenDigit === 0) dec = '整'
  else {
    if (jiao > 0) dec += DIGITS[jiao] + '角'
    else if (intPart) dec += '零'
    if (fenDigit > 0) dec += DIGITS[fenDigit] + '分'
    else dec += '整'
  }
  const text = (intPart || (dec === '整' ? '零元' : '')) + dec
  return (neg ? '负' : '') + text
}

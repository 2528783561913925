// An ECharts chart in an element of the page: made when the page shows, drawn
// again whenever what its option reads changes (the data, the language, large
// text), resized with the window, disposed with the page. Each chart component
// registers the ECharts parts it uses (echarts/core `use`).
import { onBeforeUnmount, onMounted, watch, type Ref } from 'vue'
import { init, type ECharts, type EChartsCoreOption } from 'echarts/core'

export function useChart(el: Ref<HTMLElement | null>, option: () => EChartsCoreOption): void {
  let chart: ECharts | null = null
  const resize = () => chart?.resize()

  onMounted(() => {
    if (!el.value) return
    chart = init(el.value)
    chart.setOption(option(), true)
    window.addEventListener('resize', resize)
  })

  onBeforeUnmount(() => {
    window.removeEventListener('resize', resize)
    chart?.dispose()
    chart = null
  })

  watch(option, (o) => {
    chart?.setOption(o, true)
    requestAnimationFrame(resize) // the element's height may follow the same change
  })
}

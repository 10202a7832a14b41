package metrics_test

import (
	"fmt"

	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/metrics"
	"github.com/bianmin/bianmin/shared/workcal"
)

func ExampleCompute() {
	cal := workcal.Builtin()
	five := workcal.Limit{N: 5, Unit: workcal.WorkingDays}
	cases := []metrics.CaseFacts{
		// Due Thu 26 Feb 2026 (the Spring Festival is not counted).
		{ID: "a", Accepted: workcal.D(2026, 2, 12), Closed: workcal.D(2026, 2, 26), Result: caseflow.Granted, Promised: five},
		{ID: "b", Accepted: workcal.D(2026, 2, 12), Closed: workcal.D(2026, 2, 27), Result: caseflow.Granted, Promised: five},
	}
	ratings := []metrics.RatingFacts{{CaseID: "a", Day: workcal.D(2026, 2, 26), Level: 5}}
	f := metrics.Compute(cal, cases, ratings, metrics.Month(2026, 2))
	fmt.Println("办结量", f.Closed)
	fmt.Println("按时办结率", f.OnTimeRate)
	fmt.Println("平均办结时长", f.AvgDays)
	fmt.Println("评价率", f.RatingRate)
	fmt.Println("整改率", f.RectificationRate)
	// Output:
	// 办结量 2
	// 按时办结率 50%
	// 平均办结时长 5.5
	// 评价率 50%
	// 整改率 —
}

package server

import (
	"github.com/bianmin/bianmin/shared/casefile"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/syncserver/internal/store"
)

// openRectification opens a bad review's rectification (核实 → 整改 → 反馈
// → 回访) in the transaction that records the rating, due in the configured
// number of working days.
func (s *Server) openRectification(tx store.Tx, c *casefile.Case, ch *casefile.Change) error {
	if !opensRectification(c, ch) {
		return nil
	}
	env := s.env.Load()
	due := c.Rating.On
	if env != nil && s.rules.RectifyDays > 0 {
		due = env.calendar.AddWorkdays(c.Rating.On, s.rules.RectifyDays)
	}
	return tx.SaveRectification(store.Rectification{
		CaseID: c.ID, Number: c.Number, Station: c.HandlingStation, Department: c.Matter.Department,
		Rating: c.Rating.Level, Comment: c.Rating.Comment, Named: c.Rating.Named, OpenedOn: c.Rating.On, DueOn: due,
	})
}

// opensRectification reports whether ch, applied to give c, is a bad rating.
func opensRectification(c *casefile.Case, ch *casefile.Change) bool {
	return ch.Action == caseflow.Rate && c.Rating != nil && c.Rating.IsBad()
}

package wire_test

import (
	"fmt"

	"github.com/bianmin/bianmin/shared/bmerr"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/wire"
	"google.golang.org/protobuf/proto"
)

// A station sends a change; central decodes it and gets the same change back,
// or an error that says which field was wrong.
func Example() {
	sent, _ := proto.Marshal(wire.ChangeToWire(receiveChange()))

	var w syncv1.Change
	_ = proto.Unmarshal(sent, &w)
	c, err := wire.ChangeFromWire(&w)
	fmt.Println(c.Action, c.Intake.Applicant.Name, len(c.Intake.Materials), err)

	w.Intake.Applicant.Birth = "1965-02-30"
	_, err = wire.ChangeFromWire(&w)
	e := bmerr.As(err)
	fmt.Println(e.Reason, e.Field)
	// Output:
	// receive 王建国 5 <nil>
	// wire_date intake.applicant.birth
}

package centralapi

import (
	"context"
	"errors"

	"connectrpc.com/connect"
	centralv1 "github.com/bianmin/bianmin/shared/gen/bianmin/central/v1"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
)

// The supervision and administration calls carry display data with no
// domain type of its own (figures, stations, users), so they return the
// generated messages as they are; only errors are converted.

// Figures computes the figures for the inclusive period from–to
// ("YYYY-MM-DD"), grouped by groupBy ("station", "department", "matter" or
// "" for one total).
func (c *Client) Figures(ctx context.Context, from, to, groupBy string) (*centralv1.FiguresResponse, error) {
	res, err := c.sup.Figures(ctx, connect.NewRequest(&centralv1.FiguresRequest{From: from, To: to, GroupBy: groupBy}))
	if err != nil {
		return nil, convert(err)
	}
	return res.Msg, nil
}

// ExportFigures returns the figures as an Excel workbook and its file name.
func (c *Client) ExportFigures(ctx context.Context, from, to, groupBy string) ([]byte, string, error) {
	res, err := c.sup.ExportFigures(ctx, connect.NewRequest(&centralv1.ExportFiguresRequest{
		Figures: &centralv1.FiguresRequest{From: from, To: to, GroupBy: groupBy}}))
	if err != nil {
		return nil, "", convert(err)
	}
	return res.Msg.GetXlsx(), res.Msg.GetFilename(), nil
}

// Series returns the dashboard's chart data for the period.
func (c *Client) Series(ctx context.Context, from, to string) (*centralv1.SeriesResponse, error) {
	res, err := c.sup.Series(ctx, connect.NewRequest(&centralv1.SeriesRequest{From: from, To: to}))
	if err != nil {
		return nil, convert(err)
	}
	return res.Msg, nil
}

// Rectifications lists bad reviews' rectification tasks.
func (c *Client) Rectifications(ctx context.Context, openOnly bool) ([]*centralv1.Rectification, error) {
	res, err := c.sup.Rectifications(ctx, connect.NewRequest(&centralv1.RectificationsRequest{OpenOnly: openOnly}))
	if err != nil {
		return nil, convert(err)
	}
	return res.Msg.GetItems(), nil
}

// RecordFollowUp records one step of a bad review's handling.
func (c *Client) RecordFollowUp(ctx context.Context, caseID, step, note, outcome string) (*centralv1.Rectification, error) {
	res, err := c.sup.RecordFollowUp(ctx, connect.NewRequest(&centralv1.RecordFollowUpRequest{CaseId: caseID, Step: step, Note: note, Outcome: outcome}))
	if err != nil {
		return nil, convert(err)
	}
	return res.Msg.GetItem(), nil
}

// Stations lists every station with its devices.
func (c *Client) Stations(ctx context.Context) ([]*centralv1.StationInfo, error) {
	res, err := c.admin.ListStations(ctx, connect.NewRequest(&centralv1.ListStationsRequest{}))
	if err != nil {
		return nil, convert(err)
	}
	return res.Msg.GetStations(), nil
}

// CreateStation registers a station.
func (c *Client) CreateStation(ctx context.Context, st *syncv1.Station) error {
	_, err := c.admin.CreateStation(ctx, connect.NewRequest(&centralv1.CreateStationRequest{Station: st}))
	return convert(err)
}

// IssueEnrollCode issues a one-time enrollment code for station.
func (c *Client) IssueEnrollCode(ctx context.Context, station string) (*centralv1.IssueEnrollCodeResponse, error) {
	res, err := c.admin.IssueEnrollCode(ctx, connect.NewRequest(&centralv1.IssueEnrollCodeRequest{Station: station}))
	if err != nil {
		return nil, convert(err)
	}
	return res.Msg, nil
}

// RevokeDevice refuses a device's every later call and returns its
// station's open cases for follow-up.
func (c *Client) RevokeDevice(ctx context.Context, deviceID string) (*centralv1.RevokeDeviceResponse, error) {
	res, err := c.admin.RevokeDevice(ctx, connect.NewRequest(&centralv1.RevokeDeviceRequest{DeviceId: deviceID}))
	if err != nil {
		return nil, convert(err)
	}
	return res.Msg, nil
}

// Users lists central users.
func (c *Client) Users(ctx context.Context) ([]*centralv1.UserInfo, error) {
	res, err := c.admin.ListUsers(ctx, connect.NewRequest(&centralv1.ListUsersRequest{}))
	if err != nil {
		return nil, convert(err)
	}
	return res.Msg.GetUsers(), nil
}

// SaveUser creates (create, with password) or updates a user.
func (c *Client) SaveUser(ctx context.Context, u User, disabled bool, password string, create bool) (*centralv1.UserInfo, error) {
	res, err := c.admin.SaveUser(ctx, connect.NewRequest(&centralv1.SaveUserRequest{
		User:     &centralv1.User{Username: u.Username, Name: u.Name, Role: string(u.Role), Department: u.Department},
		Disabled: disabled, Password: password, Create: create}))
	if err != nil {
		return nil, convert(err)
	}
	return res.Msg.GetUser(), nil
}

// ResetPassword sets a user's password.
func (c *Client) ResetPassword(ctx context.Context, username, password string) error {
	_, err := c.admin.ResetPassword(ctx, connect.NewRequest(&centralv1.ResetPasswordRequest{Username: username, Password: password}))
	return convert(err)
}

// Catalog returns central's current catalog and calendar files.
func (c *Client) Catalog(ctx context.Context) (*centralv1.GetCatalogResponse, error) {
	res, err := c.admin.GetCatalog(ctx, connect.NewRequest(&centralv1.GetCatalogRequest{}))
	if err != nil {
		return nil, convert(err)
	}
	return res.Msg, nil
}

// PublishCatalog validates (dryRun) or publishes the files. Problems come
// back in the response; an INVALID_ARGUMENT error that carries them is
// turned into a response with them, so the caller has one place to look.
func (c *Client) PublishCatalog(ctx context.Context, catalogJSON, calendarJSON []byte, dryRun bool) (*centralv1.PublishCatalogResponse, error) {
	res, err := c.admin.PublishCatalog(ctx, connect.NewRequest(&centralv1.PublishCatalogRequest{
		CatalogJson: catalogJSON, CalendarJson: calendarJSON, DryRun: dryRun}))
	if err != nil {
		var ce *connect.Error
		if asConnect(err, &ce) && ce.Code() == connect.CodeInvalidArgument {
			if probs := problemsFromDetails(ce); len(probs) > 0 {
				return &centralv1.PublishCatalogResponse{Problems: probs}, nil
			}
		}
		return nil, convert(err)
	}
	return res.Msg, nil
}

func asConnect(err error, ce **connect.Error) bool { return errors.As(err, ce) }

// problemsFromDetails reads problems a server attached to an
// INVALID_ARGUMENT error as a PublishCatalogResponse detail.
func problemsFromDetails(ce *connect.Error) []*centralv1.Problem {
	var out []*centralv1.Problem
	for _, d := range ce.Details() {
		v, err := d.Value()
		if err != nil {
			continue
		}
		switch m := v.(type) {
		case *centralv1.PublishCatalogResponse:
			out = append(out, m.GetProblems()...)
		case *centralv1.Problem:
			out = append(out, m)
		}
	}
	return out
}

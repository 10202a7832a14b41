package server

import (
	"bytes"
	"context"
	"errors"
	"time"

	"connectrpc.com/connect"
	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/caseflow"
	"github.com/bianmin/bianmin/shared/catalog"
	centralv1 "github.com/bianmin/bianmin/shared/gen/bianmin/central/v1"
	syncv1 "github.com/bianmin/bianmin/shared/gen/bianmin/sync/v1"
	"github.com/bianmin/bianmin/shared/passwd"
	"github.com/bianmin/bianmin/shared/workcal"
	"github.com/bianmin/bianmin/syncserver/internal/store"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// adminOnly refuses every AdminService call from anyone but an admin, even
// if an app were modified to offer the screens.
func (s *Server) adminOnly() connect.Interceptor {
	return connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			if userFrom(ctx).Role != caseflow.Admin {
				return nil, connect.NewError(connect.CodePermissionDenied, errors.New("only central admins may do this"))
			}
			return next(ctx, req)
		}
	})
}

type adminService struct{ *Server }

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func (s *adminService) ListStations(ctx context.Context, _ *connect.Request[centralv1.ListStationsRequest]) (*connect.Response[centralv1.ListStationsResponse], error) {
	list, err := s.store.Stations(ctx)
	if err != nil {
		return nil, err
	}
	open := map[string]int32{}
	for after := uuid.Nil; ; {
		page, err := s.store.OpenCases(ctx, after, 1000)
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		for _, c := range page {
			open[c.HandlingStation]++
		}
		after = page[len(page)-1].ID
	}
	resp := &centralv1.ListStationsResponse{}
	for _, st := range list {
		devs, err := s.store.Devices(ctx, st.Code)
		if err != nil {
			return nil, err
		}
		info := &centralv1.StationInfo{Station: stationToWire(st), OpenCases: open[st.Code]}
		for _, d := range devs {
			info.Devices = append(info.Devices, &centralv1.Device{Id: d.ID, Name: d.Name, EnrolledAt: ts(d.EnrolledAt), LastSeenAt: ts(d.LastSeenAt), RevokedAt: ts(d.RevokedAt)})
		}
		resp.Stations = append(resp.Stations, info)
	}
	return connect.NewResponse(resp), nil
}

func (s *adminService) CreateStation(ctx context.Context, req *connect.Request[centralv1.CreateStationRequest]) (*connect.Response[centralv1.CreateStationResponse], error) {
	w := req.Msg.GetStation()
	err := s.Server.CreateStation(ctx, store.Station{Code: w.GetCode(), Name: w.GetName(), Level: catalog.Level(w.GetLevel()), Parent: w.GetParent()})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&centralv1.CreateStationResponse{}), nil
}

func (s *adminService) IssueEnrollCode(ctx context.Context, req *connect.Request[centralv1.IssueEnrollCodeRequest]) (*connect.Response[centralv1.IssueEnrollCodeResponse], error) {
	hours := req.Msg.ValidHours
	if hours <= 0 {
		hours = 168
	}
	ttl := time.Duration(hours) * time.Hour
	code, err := s.NewEnrollCode(ctx, req.Msg.Station, ttl)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&centralv1.IssueEnrollCodeResponse{Code: code, ExpiresAt: timestamppb.New(s.now().Add(ttl)), ServerUrl: s.public}), nil
}

func (s *adminService) RevokeDevice(ctx context.Context, req *connect.Request[centralv1.RevokeDeviceRequest]) (*connect.Response[centralv1.RevokeDeviceResponse], error) {
	d, err := s.store.Device(ctx, req.Msg.DeviceId)
	if err != nil {
		return nil, err
	}
	if err := s.Server.RevokeDevice(ctx, d.ID); err != nil {
		return nil, err
	}
	resp := &centralv1.RevokeDeviceResponse{Station: d.Station}
	for after := uuid.Nil; ; {
		page, err := s.store.PartyCases(ctx, d.Station, after, 1000)
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		for _, c := range page {
			if !c.IsClosed() {
				resp.OpenCases = append(resp.OpenCases, &centralv1.OpenCase{CaseId: c.ID.String(), Number: c.Number, MatterName: c.Matter.Name,
					State: string(c.Status.State), Version: c.Version, UpdatedAt: ts(c.UpdatedAt)})
			}
		}
		after = page[len(page)-1].ID
	}
	return connect.NewResponse(resp), nil
}

func userInfo(u store.User) *centralv1.UserInfo {
	return &centralv1.UserInfo{User: userToWire(u), Disabled: u.Disabled, CreatedAt: ts(u.CreatedAt)}
}

func (s *adminService) ListUsers(ctx context.Context, _ *connect.Request[centralv1.ListUsersRequest]) (*connect.Response[centralv1.ListUsersResponse], error) {
	users, err := s.store.Users(ctx)
	if err != nil {
		return nil, err
	}
	resp := &centralv1.ListUsersResponse{}
	for _, u := range users {
		resp.Users = append(resp.Users, userInfo(u))
	}
	return connect.NewResponse(resp), nil
}

func (s *adminService) SaveUser(ctx context.Context, req *connect.Request[centralv1.SaveUserRequest]) (*connect.Response[centralv1.SaveUserResponse], error) {
	w := req.Msg.GetUser()
	u := store.User{Username: w.GetUsername(), Name: w.GetName(), Role: caseflow.Role(w.GetRole()), Department: w.GetDepartment(), Disabled: req.Msg.Disabled}
	by := actorOf(ctx)
	if req.Msg.Create {
		if err := s.CreateUser(ctx, by, u, req.Msg.Password); err != nil {
			return nil, err
		}
	} else {
		if req.Msg.Password != "" {
			return nil, bmerr.New(bmerr.Invalid, "password_on_update", "修改用户时不能设置密码，请使用“重置密码”。", "set a password with Reset password, not when editing a user.")
		}
		if err := validUser(u); err != nil {
			return nil, err
		}
		old, err := s.store.User(ctx, u.Username)
		if err != nil {
			return nil, err
		}
		if old.Username == by && (u.Disabled || u.Role != caseflow.Admin) {
			return nil, bmerr.New(bmerr.FailedPrecondition, "self_lockout", "不能停用自己或取消自己的管理员角色。", "you cannot disable yourself or drop your own admin role.")
		}
		old.Name, old.Role, old.Department, old.Disabled = u.Name, u.Role, u.Department, u.Disabled
		if err := s.store.UpdateUser(ctx, old); err != nil {
			return nil, err
		}
		if err := s.auditAdmin(ctx, by, "user "+u.Username, "updated: role "+string(u.Role)+", department "+u.Department+map[bool]string{true: ", disabled", false: ""}[u.Disabled]); err != nil {
			return nil, err
		}
	}
	saved, err := s.store.User(ctx, u.Username)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&centralv1.SaveUserResponse{User: userInfo(saved)}), nil
}

func (s *adminService) ResetPassword(ctx context.Context, req *connect.Request[centralv1.ResetPasswordRequest]) (*connect.Response[centralv1.ResetPasswordResponse], error) {
	if err := passwd.CheckNewPassword(req.Msg.Password); err != nil {
		return nil, err
	}
	u, err := s.store.User(ctx, req.Msg.Username)
	if err != nil {
		return nil, err
	}
	if u.PasswordHash, err = passwd.Hash(req.Msg.Password); err != nil {
		return nil, err
	}
	u.FailedSignIns, u.LastFailedAt = 0, time.Time{}
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return nil, err
	}
	if err := s.auditAdmin(ctx, actorOf(ctx), "user "+u.Username, "password reset"); err != nil {
		return nil, err
	}
	return connect.NewResponse(&centralv1.ResetPasswordResponse{}), nil
}

func (s *adminService) GetCatalog(ctx context.Context, _ *connect.Request[centralv1.GetCatalogRequest]) (*connect.Response[centralv1.GetCatalogResponse], error) {
	cur, err := s.store.CurrentCatalog(ctx)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&centralv1.GetCatalogResponse{Version: int32(cur.Version), CatalogJson: cur.CatalogJSON, CalendarJson: cur.CalendarJSON, PublishedAt: ts(cur.PublishedAt)}), nil
}

func (s *adminService) PublishCatalog(ctx context.Context, req *connect.Request[centralv1.PublishCatalogRequest]) (*connect.Response[centralv1.PublishCatalogResponse], error) {
	resp := &centralv1.PublishCatalogResponse{}
	problem := func(err error) {
		var verrs catalog.ValidationErrors
		if errors.As(err, &verrs) {
			for _, e := range verrs {
				resp.Problems = append(resp.Problems, &centralv1.Problem{Field: e.Field, Reason: e.Reason, MessageZh: e.Zh, MessageEn: e.En})
			}
			return
		}
		e := bmerr.As(err)
		if e == nil {
			e = bmerr.New(bmerr.Invalid, "invalid", err.Error(), err.Error())
		}
		resp.Problems = append(resp.Problems, &centralv1.Problem{Field: e.Field, Reason: e.Reason, MessageZh: e.Zh, MessageEn: e.En})
	}
	if _, err := catalog.Parse(req.Msg.CatalogJson); err != nil {
		problem(err)
	}
	if _, err := workcal.Parse(req.Msg.CalendarJson); err != nil {
		problem(err)
	}
	if len(resp.Problems) > 0 || req.Msg.DryRun {
		return connect.NewResponse(resp), nil
	}
	v, err := s.Server.PublishCatalog(ctx, bytes.Clone(req.Msg.CatalogJson), bytes.Clone(req.Msg.CalendarJson))
	if err != nil {
		return nil, err
	}
	resp.Version = int32(v)
	return connect.NewResponse(resp), nil
}

var _ = syncv1.Station{}

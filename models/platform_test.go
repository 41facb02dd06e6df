package models_test

import (
	"context"
	"errors"
	"testing"

	"minsheng/models"
	"minsheng/models/modeltest"
)

func syncPlatformOrg(t *testing.T, s *models.Store) {
	t.Helper()
	deps := []models.Department{
		{Code: "cg", Name: "县城市管理局", Platform: "wecom", WeComRobotKey: "key-cg"},
		{Code: "zj", Name: "县住房和城乡建设局", Platform: "dingtalk", DingTalkWebhook: "https://oapi.dingtalk.com/robot/send?access_token=zj", DingTalkSecret: "SECzj"},
	}
	members := []models.Member{
		{Name: "李承办", UserID: "cg-officer1", Platform: "wecom", Role: models.RoleOfficer},
		{Name: "赵局长", UserID: "cg-head", Platform: "wecom", Role: models.RoleHead},
		{Name: "孙承办", UserID: "zj-officer1", Platform: "dingtalk", Role: models.RoleOfficer},
		{Name: "王问政", UserID: "dispatcher1", Platform: "wecom", Role: models.RoleDispatcher},
		// The same person listed on both platforms.
		{Name: "陈县长", UserID: "leader1", Platform: "wecom", Role: models.RoleLeader},
		{Name: "陈县长", UserID: "leader1", Platform: "dingtalk", Role: models.RoleLeader},
	}
	modeltest.Must(t, s.SyncOrg(context.Background(), deps, members, []string{"cg", "cg", "zj", "", "", ""}), "sync org")
}

func TestSetUnitPlatform(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		syncPlatformOrg(t, s)
		moved, err := s.SetUnitPlatform(ctx, "cg", "dingtalk", "http://127.0.0.1:8080/sandbox/dingtalk-api/robot/send?access_token=cg", "SECcg")
		modeltest.Must(t, err, "move cg")
		if moved != 2 {
			t.Errorf("moved = %d; want cg's 2 members", moved)
		}
		var d models.Department
		s.DB().Where("code = ?", "cg").First(&d)
		if d.Platform != "dingtalk" || d.DingTalkSecret != "SECcg" || d.WeComRobotKey != "key-cg" {
			t.Errorf("cg = %+v; want on dingtalk with the new robot and its WeCom key kept", d)
		}
		err = s.Act(ctx, func(tx *models.Tx) error {
			for _, u := range []string{"cg-officer1", "cg-head"} {
				if _, err := tx.Member("dingtalk", u); err != nil {
					t.Errorf("Member(dingtalk, %s) = %v; want found", u, err)
				}
				if _, err := tx.Member("wecom", u); !errors.Is(err, models.ErrNotFound) {
					t.Errorf("Member(wecom, %s) = %v; want ErrNotFound", u, err)
				}
			}
			if _, err := tx.Member("wecom", "dispatcher1"); err != nil {
				t.Errorf("dispatcher moved with a unit: %v", err)
			}
			return nil
		})
		modeltest.Must(t, err, "look up members")

		// Back again, keeping the DingTalk robot for next time.
		moved, err = s.SetUnitPlatform(ctx, "cg", "wecom", "", "")
		modeltest.Must(t, err, "move cg back")
		s.DB().Where("code = ?", "cg").First(&d)
		if moved != 2 || d.Platform != "wecom" || d.DingTalkSecret != "SECcg" {
			t.Errorf("back: moved %d, cg = %+v; want 2 and wecom with the robot kept", moved, d)
		}

		tests := []struct {
			name, code string
			platform   models.Platform
			want       error
		}{
			{"no such unit", "nope", "dingtalk", models.ErrNotFound},
			{"unknown platform", "cg", "feishu", models.ErrInvalidTransition},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := s.SetUnitPlatform(ctx, tt.code, tt.platform, "", ""); !errors.Is(err, tt.want) {
					t.Errorf("SetUnitPlatform(%s, %s) = %v; want %v", tt.code, tt.platform, err, tt.want)
				}
			})
		}
	})
}

func TestSetMemberPlatform(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		syncPlatformOrg(t, s)
		modeltest.Must(t, s.SetMemberPlatform(ctx, "dispatcher1", "dingtalk"), "move dispatcher")
		err := s.Act(ctx, func(tx *models.Tx) error {
			_, err := tx.Member("dingtalk", "dispatcher1")
			return err
		})
		if err != nil {
			t.Errorf("dispatcher not on dingtalk: %v", err)
		}
		tests := []struct {
			name, user string
			platform   models.Platform
			want       error
		}{
			{"unknown", "nobody", "dingtalk", models.ErrNotFound},
			{"on both platforms", "leader1", "dingtalk", models.ErrDuplicate},
			{"unknown platform", "dispatcher1", "lark", models.ErrInvalidTransition},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if err := s.SetMemberPlatform(ctx, tt.user, tt.platform); !errors.Is(err, tt.want) {
					t.Errorf("SetMemberPlatform(%s, %s) = %v; want %v", tt.user, tt.platform, err, tt.want)
				}
			})
		}
		ms, err := s.Members(ctx)
		modeltest.Must(t, err, "members")
		if len(ms) != 6 {
			t.Errorf("Members = %d; want the 6 synced", len(ms))
		}
	})
}

func TestJointPlatform(t *testing.T) {
	tests := []struct {
		name, key, webhook string
		want               models.Platform
	}{
		{"WeCom robot", "key", "", models.PlatformWeCom},
		{"both: WeCom first", "key", "https://oapi.dingtalk.com/robot/send?access_token=j", models.PlatformWeCom},
		{"DingTalk only", "", "https://oapi.dingtalk.com/robot/send?access_token=j", models.PlatformDingTalk},
		{"none configured", "", "", models.PlatformWeCom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := models.JointPlatform(tt.key, tt.webhook); got != tt.want {
				t.Errorf("JointPlatform(%q, %q) = %q; want %q", tt.key, tt.webhook, got, tt.want)
			}
		})
	}
}

func TestPlatformCapabilities(t *testing.T) {
	tests := []struct {
		p             models.Platform
		tables, files bool
	}{
		{models.PlatformWeCom, true, true},
		{models.PlatformDingTalk, false, false},
		{models.PlatformMP, false, false},
	}
	for _, tt := range tests {
		if got := tt.p.Tables(); got != tt.tables {
			t.Errorf("%s.Tables() = %v; want %v", tt.p, got, tt.tables)
		}
		if got := tt.p.Files(); got != tt.files {
			t.Errorf("%s.Files() = %v; want %v", tt.p, got, tt.files)
		}
	}
}

package sandbox

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// GroupImagePath serves the pictures the WeCom group robots posted
// (the weekly summary's chart), so the sandbox page can show them.
const GroupImagePath = "/sandbox/api/groups/image"

// groupImage serves the picture of one group robot message: group is the
// group's name and i the message's index in that group's list of
// /sandbox/api/groups.
func (s *Server) groupImage(c *gin.Context) {
	key, known := s.WeCom.Groups[c.Query("group")]
	i, err := strconv.Atoi(c.Query("i"))
	if !known || err != nil || i < 0 {
		c.JSON(http.StatusNotFound, gin.H{"error": "没有这张图片"})
		return
	}
	msgs := s.WeCom.Fake.GroupMessages(key)
	if i >= len(msgs) || len(msgs[i].Image) == 0 {
		c.JSON(http.StatusNotFound, gin.H{"error": "没有这张图片"})
		return
	}
	kind := http.DetectContentType(msgs[i].Image)
	if !strings.HasPrefix(kind, "image/png") && !strings.HasPrefix(kind, "image/jpeg") {
		c.JSON(http.StatusNotFound, gin.H{"error": "没有这张图片"})
		return
	}
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, kind, msgs[i].Image)
}

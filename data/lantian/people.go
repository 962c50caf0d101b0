package lantian

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Surnames weighted roughly by their frequency in Shaanxi; given-name
// characters common in rural Guanzhong names. Together they make plausible
// names that belong to no one in particular.
var (
	surnames = []struct {
		name   string
		weight int
	}{
		{"王", 90}, {"李", 85}, {"张", 80}, {"刘", 60}, {"杨", 45}, {"陈", 35}, {"赵", 35}, {"孙", 20},
		{"周", 18}, {"吴", 15}, {"郭", 18}, {"马", 18}, {"高", 16}, {"党", 12}, {"雷", 12}, {"田", 12},
		{"白", 12}, {"冯", 10}, {"段", 9}, {"薛", 9}, {"姚", 8}, {"韩", 8}, {"何", 8}, {"任", 8},
		{"贾", 7}, {"卫", 6}, {"鹿", 5}, {"朱", 6}, {"史", 5}, {"巩", 4}, {"惠", 4}, {"寇", 4},
	}
	givenChars     = []rune("建国军华明伟强平安秀兰芳红梅丽娟玲英俊峰辉涛亮波斌刚磊鹏飞志勇海林文静敏燕霞婷宁博超凯瑞琳欣怡浩宇晨阳佳颖")
	mobilePrefixes = []string{"133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "158", "159", "176", "177", "180", "181", "186", "187", "189", "191", "199"}
)

func surnameTotal() int {
	n := 0
	for _, s := range surnames {
		n += s.weight
	}
	return n
}

// personName draws a two- or three-character name.
func personName(rng *rand.Rand) string {
	k := rng.IntN(surnameTotal())
	var b strings.Builder
	for _, s := range surnames {
		if k < s.weight {
			b.WriteString(s.name)
			break
		}
		k -= s.weight
	}
	n := 1 // one or two given characters, two more often
	if rng.IntN(3) > 0 {
		n = 2
	}
	for range n {
		b.WriteRune(givenChars[rng.IntN(len(givenChars))])
	}
	return b.String()
}

// maskedMobile is a mobile number in the masked form Chinese services show
// ("138****1234"): it reaches no one, so demo data cannot expose a person.
func maskedMobile(rng *rand.Rand) string {
	return fmt.Sprintf("%s****%04d", mobilePrefixes[rng.IntN(len(mobilePrefixes))], rng.IntN(10000))
}

// maskedLandline is a Xi'an (029) station number in the same masked form.
func maskedLandline(rng *rand.Rand) string {
	return fmt.Sprintf("029-82%02d****", rng.IntN(100))
}
